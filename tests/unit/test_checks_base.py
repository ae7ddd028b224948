"""The helpers every family shares (checks.base): results as they finish."""

from __future__ import annotations

import asyncio
import contextlib

from netready.checks.base import as_they_finish


async def after(seconds: float, value: str, log: list[str]) -> str:
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        log.append(f"cancelled {value}")
        raise
    return value


def test_results_come_in_the_order_they_finish() -> None:
    async def collect() -> list[str]:
        log: list[str] = []
        slow_first = [after(0.06, "slow", log), after(0.0, "quick", log), after(0.03, "mid", log)]
        return [value async for value in as_they_finish(slow_first)]

    assert asyncio.run(collect()) == ["quick", "mid", "slow"]


def test_stopping_early_cancels_the_rest_at_once() -> None:
    async def first_then_stop() -> tuple[str, list[str]]:
        log: list[str] = []
        results = as_they_finish([after(0.0, "quick", log), after(10.0, "slow", log)])
        async with contextlib.aclosing(results):
            first = await anext(results)
        return first, log  # read before anything else runs: the cancel was awaited

    assert asyncio.run(first_then_stop()) == ("quick", ["cancelled slow"])

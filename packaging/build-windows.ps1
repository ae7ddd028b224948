# Build netready's Windows bundle: dist\netready\ (onedir) and its installer,
# dist\netready-VERSION-windows-x64-setup.exe (Inno Setup 6).
#
#     powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1 [-Python py]
#
# The same steps as build-linux.sh (a clean venv, a fresh copy of the sources, the one spec).
# Signing happens only when its variables are set (the release workflow fills them from
# secrets); unsigned programs run, after SmartScreen's "More info / Run anyway":
#   WINDOWS_CERT_PFX       the code-signing certificate, a base64-encoded .pfx
#   WINDOWS_CERT_PASSWORD  its password
# Needs Python >= 3.11 (x64) and Inno Setup 6 (ISCC.exe on PATH or in its default folder;
# `choco install innosetup` installs it). -SkipInstaller builds the bundle only.
param(
    [string]$Python = "python",
    [switch]$SkipInstaller
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$started = Get-Date
$Venv = "build\bundle-venv"
$SourceCopy = "build\bundle-src"

function Invoke-Native {
    # run a program with the rest of the arguments as they are (a simple function: "-m" is an
    # argument, not a parameter name); stop on a non-zero exit status (PowerShell does not)
    $Program, $Arguments = $args
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $Arguments exited with $LASTEXITCODE" }
}

if (Test-Path $SourceCopy) { Remove-Item -Recurse -Force $SourceCopy }
New-Item -ItemType Directory -Force $SourceCopy | Out-Null
Copy-Item -Recurse pyproject.toml, README.md, LICENSE, src, resources, ui -Destination $SourceCopy
Get-ChildItem -Recurse -Directory -Filter __pycache__ $SourceCopy | Remove-Item -Recurse -Force

$VenvPython = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $VenvPython)) {
    Invoke-Native $Python -m venv $Venv
    Invoke-Native $VenvPython -m pip install --quiet --upgrade pip
}
Invoke-Native $VenvPython -m pip install --quiet "$SourceCopy[bundle]"
Invoke-Native $VenvPython -m pip install --quiet --force-reinstall --no-deps $SourceCopy

if (Test-Path dist\netready) { Remove-Item -Recurse -Force dist\netready }
Invoke-Native $VenvPython -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath dist --workpath build\pyinstaller packaging\netready.spec

$Version = (& $VenvPython -c "import netready; print(netready.__version__)").Trim()
Invoke-Native dist\netready\netready.exe --version

# --- signing (optional) ---------------------------------------------------------------------
$SignTool = $null
$Pfx = $null
if ($env:WINDOWS_CERT_PFX) {
    $SignTool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
        Sort-Object FullName -Descending | Select-Object -First 1 -ExpandProperty FullName
    if (-not $SignTool) { throw "WINDOWS_CERT_PFX is set but signtool.exe was not found" }
    $Temp = if ($env:RUNNER_TEMP) { $env:RUNNER_TEMP } else { $env:TEMP }
    $Pfx = Join-Path $Temp "netready-signing.pfx"
    [IO.File]::WriteAllBytes($Pfx, [Convert]::FromBase64String($env:WINDOWS_CERT_PFX))
}

function Invoke-Sign([string[]]$Files) {
    if (-not $SignTool) { return }
    Invoke-Native $SignTool sign /f $Pfx /p $env:WINDOWS_CERT_PASSWORD /fd SHA256 `
        /tr http://timestamp.digicert.com /td SHA256 /d netready @Files
}

try {
    if ($SignTool) {
        Invoke-Sign -Files "dist\netready\netready.exe", "dist\netready\netready-gui.exe"
    } else {
        Write-Host "WINDOWS_CERT_PFX is not set: the programs and the installer are not signed"
    }

    # --- the installer --------------------------------------------------------------------------
    if (-not $SkipInstaller) {
        $Iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
        if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
        if (-not (Test-Path $Iscc)) { throw "Inno Setup 6 (ISCC.exe) was not found: choco install innosetup" }
        $Root = (Get-Location).Path
        Invoke-Native $Iscc /Qp "/DAppVersion=$Version" "/DSourceDir=$Root\dist\netready" `
            "/DOutputDir=$Root\dist" "/DIconFile=$Root\build\pyinstaller\netready\icons\netready.ico" `
            packaging\windows\netready.iss
        $Setup = "dist\netready-$Version-windows-x64-setup.exe"
        Invoke-Sign -Files $Setup
        Write-Host "installer: $Setup ($([math]::Round((Get-Item $Setup).Length / 1MB)) MB)"
    }
} finally {
    if ($Pfx -and (Test-Path $Pfx)) { Remove-Item -Force $Pfx }
}

$Size = (Get-ChildItem -Recurse -File dist\netready | Measure-Object -Property Length -Sum).Sum
$Seconds = [int]((Get-Date) - $started).TotalSeconds
Write-Host "bundle: dist\netready ($([math]::Round($Size / 1MB)) MB), built in $Seconds s"

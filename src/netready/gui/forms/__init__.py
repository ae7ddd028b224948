"""Forms compiled from ui/*.ui by ui/build_forms.py; generated, never edited by hand."""

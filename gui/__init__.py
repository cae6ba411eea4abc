"""The certificate-request kiosk (PySide6). The flow itself is plain Python: :mod:`gui.flow`."""

"""The Connect wizard's pages: widgets only; the dialog (ui/connect_dialog.py) wires them and does the work."""

"""China export tables derived from UN Comtrade (see README.txt)."""

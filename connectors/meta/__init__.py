"""Meta Graph API (Facebook, Instagram): ``client`` has the shared response policy, ``mapping`` the pure helpers."""

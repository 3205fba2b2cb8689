"""The convenience services' writes: the service cart (``cart``, CS-1) and concierge requests
(``requests``, CS-2). Each is the one door for its changes: views, the API, the worker and the
resident portal call these functions."""

"""The convenience services' writes: the service cart (``cart``, CS-1), concierge requests
(``requests``, CS-2) and community activities (``activities``, CS-3). Each is the one door for its
changes: views, the API, the worker, the demo seed and the resident portal call these functions."""

"""The playground: the whole bot in a browser, with no Telegram token.

``botapi`` is the local Bot API server the tests, the benchmarks and the playground share, so what
a person tries here is exactly what the test suite exercises.
"""

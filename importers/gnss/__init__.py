"""GNSS field survey: NMEA receiver input, NTRIP corrections, status model, point capture.

Nothing here imports Qt: the app polls or subscribes to :class:`~importers.gnss.status.GnssStatus`.
"""

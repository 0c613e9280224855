"""A synthetic history of a configured city, written through the import path.

``generate.generate_history`` yields ``HistoryRecord`` objects with source
``demo``; every value is invented and no requester details are produced.
"""

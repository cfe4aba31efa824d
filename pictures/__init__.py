"""Pictures of the knowledge: the exam timeline, the campus, a month of courses.

Transport-free. ``layout`` turns knowledge records and a date into plain dataclasses (what is
drawn where, in which state, with the caption); ``draw`` renders a layout to PNG with matplotlib,
imported only there and only when a picture is drawn; ``service`` reads the database, builds the
layouts and keeps rendered pictures in an LRU cache keyed by knowledge version, date and highlight.
"""

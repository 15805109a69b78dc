"""The API benchmark (issue 12): grow a database, serve the app and a floor app, compare.

Run from the project root with the virtualenv's python (`make bench`, docs/performance.md):

    python -m bench.grow --orders 1000000   # a database of N orders, grown in SQL
    python -m bench.run --orders 1000000    # serve both apps, check, load, print the table
"""

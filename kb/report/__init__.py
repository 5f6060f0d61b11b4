"""`kb report`: the knowledge base as a static HTML glossary with its audit.

`build` turns the store into view objects (`views`), `findings` is the one door for audit
results, `environment` holds the Jinja Environment and `render` renders and writes the pages.
"""

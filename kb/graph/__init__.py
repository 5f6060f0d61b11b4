"""The concept graph: networkx graphs of relations, definition dependencies and evidence.

`build` makes the graphs (the only module that reads the store for them); `validate` finds
cycles; `doubt` follows dependencies to refuted concepts (KB111); `queries` answers the
`kb graph` commands; `export`, `layout` and `svg` write the graph out.
"""

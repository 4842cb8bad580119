"""Graph nodes, one module each; `graph.py` wires them."""

"""The structural and grounding validator of flows (flow-format §5)."""

"""The structural and grounding validator of flows (flow-format §5).

`validate(value, catalog)` returns the issues of a flow; `visible_pills(flow, order, catalog)`
lists the data pills a step may use (the generator's fill node shows them to the model);
`resolve_pill_table(flow, order, pill, catalog)` names the table of the record(s) a pill holds.
"""

from validator.core import validate
from validator.scope import VisiblePill, resolve_pill_table, visible_pills

__all__ = ["VisiblePill", "resolve_pill_table", "validate", "visible_pills"]

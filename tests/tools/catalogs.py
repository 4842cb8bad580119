"""A small fixed catalog with inheritance, shared by the retrieval tests."""

from __future__ import annotations

from schemas.catalog import Action, Catalog, Choice, Column, FlowLogicDef, Table, TriggerDef


def _col(name: str, label: str, type_: str = "string", reference: str | None = None,
         description: str = "", choices: tuple[Choice, ...] = ()) -> Column:
    return Column(name=name, label=label, type=type_, reference=reference,
                  description=description, choices=choices)


def small_catalog(instance: str = "tiny", extra_tables: tuple[Table, ...] = ()) -> Catalog:
    """Return a fixed catalog with inheritance (incident, change_request → task)."""
    task_state = (Choice(value="1", label="Open"), Choice(value="3", label="Closed Complete"))
    tables = (
        Table(name="task", label="Task", description="Base table of work items", columns=(
            _col("number", "Number"),
            _col("state", "State", "integer", choices=task_state),
            _col("priority", "Priority", "integer", choices=(
                Choice(value="1", label="1 - Critical"), Choice(value="4", label="4 - Low"))),
            _col("assignment_group", "Assignment group", "reference",
                 reference="sys_user_group", description="Group that works on the task"),
            _col("assigned_to", "Assigned to", "reference", reference="sys_user"),
            _col("short_description", "Short description"),
        )),
        Table(name="incident", label="Incident", parent="task",
              description="An unplanned interruption of a service", columns=(
            _col("caller_id", "Caller", "reference", reference="sys_user",
                 description="User who reported the incident"),
            _col("state", "State", "integer", choices=(
                Choice(value="1", label="New"), Choice(value="6", label="Resolved"))),
            _col("category", "Category", "string", choices=(
                Choice(value="network", label="Network"),
                Choice(value="software", label="Software"))),
        )),
        Table(name="change_request", label="Change Request", parent="task", columns=(
            _col("type", "Type", "string", choices=(
                Choice(value="standard", label="Standard"),
                Choice(value="emergency", label="Emergency"))),
            _col("backout_plan", "Backout plan"),
        )),
        Table(name="sys_user", label="User", columns=(
            _col("user_name", "User ID"), _col("email", "Email", "email"),
            _col("manager", "Manager", "reference", reference="sys_user"),
            _col("active", "Active", "boolean"),
        )),
        Table(name="sys_user_group", label="Group", description="A team of users", columns=(
            _col("name", "Name"), _col("manager", "Manager", "reference", reference="sys_user"),
        )),
        *extra_tables,
    )
    actions = (
        Action(name="look_up_records", label="Look Up Records",
               description="Look up all the records on a table that match conditions"),
        Action(name="look_up_record", label="Look Up Record",
               description="Look up a single record on a table that matches conditions"),
        Action(name="update_record", label="Update Record",
               description="Update fields of an existing record"),
        Action(name="create_record", label="Create Record",
               description="Create a new record on a table with the given field values"),
        Action(name="send_email", label="Send Email",
               description="Send an email to addresses or users"),
        Action(name="ask_for_approval", label="Ask For Approval",
               description="Ask users or groups to approve or reject a record"),
        Action(name="post_message", scope="sn_slack_ah", label="Post Message",
               description="Post a message to a Slack channel", spoke="Slack"),
    )
    logic = (
        FlowLogicDef(token="IF", label="If",
                     description="Run the steps inside only when a condition is true"),
        FlowLogicDef(token="ELSE", label="Else",
                     description="Otherwise run these steps"),
        FlowLogicDef(token="FOREACH", label="For Each",
                     description="Repeat the steps inside for each item in a list"),
    )
    triggers = (
        TriggerDef(type="record_create", label="Created", record_based=True,
                   description="Start the flow when a record is created"),
        TriggerDef(type="record_update", label="Updated", record_based=True,
                   description="Start the flow when a record is updated"),
        TriggerDef(type="daily", label="Daily", description="Run the flow every day"),
        TriggerDef(type="email", label="Inbound Email",
                   description="Start the flow when an email arrives"),
    )
    return Catalog(instance=instance, tables=tables, actions=actions, triggers=triggers,
                   flow_logic=logic)

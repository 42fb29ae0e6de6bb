"""Flow assignment: flows of ordered modules, assigned to people with a due date."""

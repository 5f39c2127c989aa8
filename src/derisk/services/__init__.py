"""Services: the one place front ends (CLI, API, web, report) get their numbers from."""

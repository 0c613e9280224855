"""Staff pages: login, the agent console and the work queue."""

"""Small real servers for tests, bound to 127.0.0.1 (fakes of outside services, never of our code)."""

-- `healthcode tokens list|revoke --subject` finds a person's sessions and tokens.
CREATE INDEX sessions_subject ON sessions (subject, created_at);

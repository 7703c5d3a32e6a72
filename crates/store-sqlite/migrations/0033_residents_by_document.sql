-- An officer enrolling a person on site first looks for an account that
-- already holds the document (a person who signed up by themselves and gave
-- their passport on their profile): one lookup by document, not a scan of
-- every resident. Not unique: older data may hold a document twice, and the
-- lookup takes the oldest account.

CREATE INDEX residents_document ON residents (document_number, document_type) WHERE document_number IS NOT NULL;

-- How a report arrived: web (the resident's pages), app (the JSON API),
-- staff_assisted, hotline_import. NULL for reports stored before it was
-- recorded: their channel is unknown, so it is not guessed.
ALTER TABLE reports ADD COLUMN channel TEXT
    CHECK (channel IN ('web', 'app', 'staff_assisted', 'hotline_import'));

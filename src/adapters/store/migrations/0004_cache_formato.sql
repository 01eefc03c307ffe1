-- 0004: the format of each cached object's JSON.
--
-- Shipped migrations are never edited: change the schema with a new numbered file.
--
-- `formato` is the version of borda's normalised model the `json` column was written in (`FORMATO_CACHE` in
-- store/mod.rs). A row of another format, or one that does not decode, is read as a cache miss and refetched from the
-- ERP, never as an error. The default, 0, is no format borda ever writes: a write that forgot the column reads back
-- as a miss instead of claiming a format it may not have.
--
-- The rows already cached were written by the model this migration ships with, format 1.

ALTER TABLE clientes ADD COLUMN formato INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faturas ADD COLUMN formato INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contratos ADD COLUMN formato INTEGER NOT NULL DEFAULT 0;

UPDATE clientes SET formato = 1;
UPDATE faturas SET formato = 1;
UPDATE contratos SET formato = 1;

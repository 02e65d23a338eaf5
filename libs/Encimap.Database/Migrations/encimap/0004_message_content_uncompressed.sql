-- Stored message content is S/MIME ciphertext in base64: PostgreSQL's TOAST compression (pglz)
-- cannot shrink it, yet tried on every insert and took a fifth of the whole machine's CPU while
-- the mailbox row was locked. EXTERNAL keeps large values out of line, uncompressed; substring
-- reads of a header or a partial FETCH then also read only the pages they need.
-- Existing rows keep their form; the setting applies to values written from now on.
ALTER TABLE messages ALTER COLUMN content SET STORAGE EXTERNAL;

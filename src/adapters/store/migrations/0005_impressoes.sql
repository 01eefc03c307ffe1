-- 0005: impressoes, the print queue. One row per job; each printer's worker takes its oldest queued job.
--
-- Shipped migrations are never edited: change the schema with a new numbered file.
--
-- A job is written in one transaction with synchronous=FULL before the client hears 202. Its bytes are the encoded
-- ESC/POS, fixed when it is queued. Before a job is sent its row is committed as 'imprimindo'; a row found
-- 'imprimindo' when the daemon starts was interrupted mid-send and goes back to the queue with reimpressao = 1, so it
-- prints again under a visible "REIMPRESSÃO" mark rather than silently twice or never. Instants are RFC 3339 UTC text
-- with nanoseconds (fixed width, so text order is time order). Queue order is rowid order (insertion order).
CREATE TABLE impressoes (
    id                 TEXT NOT NULL PRIMARY KEY,          -- UUID v7 minted here
    impressora         TEXT NOT NULL,                      -- the configured printer's nome
    tipo               TEXT NOT NULL CHECK (tipo IN ('comprovante_pix', 'comprovante_tef', 'boleto', 'texto')),
    fatura_id          TEXT,
    baixa_id           TEXT,
    texto              TEXT,
    chave_idempotencia TEXT UNIQUE,                        -- the client's Idempotency-Key, when it sent one
    pedido             TEXT NOT NULL,                      -- canonical JSON of the request, to tell replays apart
    bytes              BLOB NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('na_fila', 'imprimindo', 'impressa', 'falhou')),
    motivo             TEXT,                               -- why it waits or failed: sem_papel, offline, tampa_aberta…
    tentativas         INTEGER NOT NULL DEFAULT 0 CHECK (tentativas >= 0),
    reimpressao        INTEGER NOT NULL DEFAULT 0 CHECK (reimpressao IN (0, 1)),
    criada_em          TEXT NOT NULL,
    impressa_em        TEXT
) STRICT;

-- Each printer's queue, oldest first (rowid is the implicit last column of the index), and its length.
CREATE INDEX impressoes_fila ON impressoes (impressora, status);

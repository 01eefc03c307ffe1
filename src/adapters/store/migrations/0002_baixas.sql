-- 0002: baixas, the payments taken at the totem. This table is the outbox of the sync worker.
--
-- Shipped migrations are never edited: change the schema with a new numbered file.
--
-- A row is written in one transaction with synchronous=FULL before the client hears 202, and is never deleted:
-- a payment that the ERP refused stays, as 'falhou', for an operator. Instants are RFC 3339 UTC text with
-- nanoseconds (fixed width, so text order is time order); `pago_em` keeps the offset the payment was reported with.
CREATE TABLE baixas (
    id                 TEXT NOT NULL PRIMARY KEY,          -- UUID v7 minted here; the ERP's idempotency key
    chave_idempotencia TEXT NOT NULL UNIQUE,               -- the client's Idempotency-Key
    pedido             TEXT NOT NULL,                      -- canonical JSON of the request, to tell replays apart
    fatura_id          TEXT NOT NULL,
    documento          TEXT NOT NULL,
    id_cliente         TEXT,
    identifier         TEXT,
    forma              TEXT NOT NULL CHECK (forma IN ('pix', 'tef')),
    valor_centavos     INTEGER NOT NULL CHECK (valor_centavos > 0),
    pago_em            TEXT NOT NULL,
    transacao          TEXT NOT NULL,                      -- JSON of model::Transacao
    status             TEXT NOT NULL CHECK (status IN ('pendente', 'sincronizada', 'falhou')),
    aguardar_erp       INTEGER NOT NULL CHECK (aguardar_erp IN (0, 1)),
    tentativas         INTEGER NOT NULL DEFAULT 0 CHECK (tentativas >= 0),
    ultimo_erro        TEXT,
    resposta_erp       TEXT,
    envio_incerto      INTEGER NOT NULL DEFAULT 0 CHECK (envio_incerto IN (0, 1)),
    reconciliada       INTEGER NOT NULL DEFAULT 0 CHECK (reconciliada IN (0, 1)),
    criada_em          TEXT NOT NULL,
    proxima_tentativa  TEXT NOT NULL,
    sincronizada_em    TEXT
) STRICT;

-- A fatura is paid once: at most one baixa per fatura that is not 'falhou'.
CREATE UNIQUE INDEX baixas_uma_viva_por_fatura ON baixas (fatura_id) WHERE status <> 'falhou';

-- Every baixa of a fatura, for the faturas lists.
CREATE INDEX baixas_fatura ON baixas (fatura_id);

-- The worker's queue: the oldest due pending baixa first.
CREATE INDEX baixas_fila ON baixas (status, proxima_tentativa);

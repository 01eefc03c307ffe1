-- 0008: chamados, the idempotency keys of the support tickets opened at the totem.
--
-- Shipped migrations are never edited: change the schema with a new numbered file.
--
-- A chamado goes to the ERP online only, once, and the ERP opens a ticket for every POST it receives. A kiosk that
-- retries a POST with the same Idempotency-Key must get the first ticket's id, never a second ticket: the key is
-- written (with the request's fingerprint) before the POST goes out, and the ERP's ticket id when it answers. A row
-- whose id is still NULL is a POST that may have opened a ticket without an answer (a timeout after sending, a crash
-- mid-send); a retry of its key is refused rather than sent again. A POST that certainly did not reach the ERP
-- deletes its row. No message, file or document is kept: `pedido` is a fingerprint (FNV-1a 64, hex) of the customer's
-- document and the whole request, to tell a retry from another chamado under the same key. The retention purge
-- deletes rows past `store.retencao`. Instants are RFC 3339 UTC text with nanoseconds (fixed width).
CREATE TABLE chamados (
    chave          TEXT NOT NULL PRIMARY KEY,          -- the kiosk's Idempotency-Key
    pedido         TEXT NOT NULL,                      -- fingerprint of the documento and the request
    id_atendimento TEXT,                               -- the ERP's ticket id; NULL: sent, outcome unknown
    criado_em      TEXT NOT NULL
) STRICT;

CREATE INDEX chamados_criado_em ON chamados (criado_em);

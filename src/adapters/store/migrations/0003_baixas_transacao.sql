-- 0003: one payment pays one fatura, and the baixas list pages newest first.
--
-- Shipped migrations are never edited: change the schema with a new numbered file.
--
-- `transacao_id` is what identifies the payment in the world: 'pix:' + the PIX end-to-end id, or
-- 'tef:' + NSU + ':' + authorisation code. Two live (not 'falhou') baixas never share it, as two never share a
-- fatura. Rows written before this rule keep NULL when an older live row already holds their payment: they
-- stay visible and are synced as before, but no new baixa can reuse that payment.
ALTER TABLE baixas ADD COLUMN transacao_id TEXT;

UPDATE baixas SET transacao_id = CASE forma
        WHEN 'pix' THEN 'pix:' || json_extract(transacao, '$.e2e_id')
        ELSE 'tef:' || json_extract(transacao, '$.nsu') || ':' || json_extract(transacao, '$.autorizacao')
    END
WHERE status <> 'falhou';

UPDATE baixas SET transacao_id = NULL
WHERE transacao_id IS NOT NULL
  AND rowid <> (SELECT min(b.rowid) FROM baixas b WHERE b.transacao_id = baixas.transacao_id);

CREATE UNIQUE INDEX baixas_uma_viva_por_transacao ON baixas (transacao_id) WHERE status <> 'falhou';

-- The readiness counts: one index range per status, never a scan of the table.
CREATE INDEX baixas_status ON baixas (status);

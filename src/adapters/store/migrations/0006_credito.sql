-- 0006: the PDV's credit limits: the retaguarda's last answer per question, and the local ledger of credit used.
--
-- Shipped migrations are never edited: change the schema with a new numbered file.
--
-- `limites_credito` holds the last answer (success or not) of the retaguarda to one question: tenant, store,
-- customer document and whether the answer was split by payment form. `resposta` is the envelope as borda writes it
-- (the contract's canonical JSON, money as doubles written from centavos). Instants are RFC 3339 UTC text with
-- nanoseconds (fixed width, so text order is time order).
CREATE TABLE limites_credito (
    inquilino     TEXT NOT NULL,
    loja          TEXT NOT NULL,
    documento     TEXT NOT NULL,                                   -- normalised CPF/CNPJ
    por_forma     INTEGER NOT NULL CHECK (por_forma IN (0, 1)),
    resposta      TEXT NOT NULL,
    consultado_em TEXT NOT NULL,
    PRIMARY KEY (inquilino, loja, documento, por_forma)
) STRICT;

-- `consumos_credito` is the ledger: credit the PDV used (a sale on credit), recorded in one transaction with
-- synchronous=FULL before the PDV hears 201, keyed by the sale so a repeated call records it once. A cancelled sale
-- keeps its row with `cancelado_em`. A consumption recorded after a customer's cached answer is subtracted from that
-- answer offline; a newer answer from the retaguarda already counts it.
CREATE TABLE consumos_credito (
    id_venda      TEXT NOT NULL PRIMARY KEY,
    pedido        TEXT NOT NULL,                                   -- canonical JSON of the request, to tell replays apart
    inquilino     TEXT NOT NULL,
    loja          TEXT NOT NULL,
    documento     TEXT NOT NULL,
    valor_centavos INTEGER NOT NULL CHECK (valor_centavos > 0),
    forma         TEXT,                                            -- idRetaguardaPagamentoForma, when given
    registrado_em TEXT NOT NULL,
    cancelado_em  TEXT
) STRICT;

CREATE INDEX consumos_credito_cliente ON consumos_credito (inquilino, loja, documento, registrado_em);

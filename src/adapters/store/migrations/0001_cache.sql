-- 0001: the offline cache of the ERP.
--
-- Shipped migrations are never edited: a kiosk that already ran this file will not run it again, so a change here
-- would only reach new installations. Change the schema with a new numbered file instead.
--
-- Each cached object is stored as the JSON of borda's normalised model (crate::model) next to the few key columns
-- that queries use. The cache is a copy of upstream and the model evolves; only keys are ever queried.
-- Instants are RFC 3339 text in UTC with nanoseconds.

-- One row per customer, by normalised CPF/CNPJ.
CREATE TABLE clientes (
    documento     TEXT NOT NULL PRIMARY KEY,
    json          TEXT NOT NULL,
    atualizado_em TEXT NOT NULL
) STRICT;

-- Open faturas. `documento` and `contrato` are the scope the fatura was listed under, so that a cached list answers
-- exactly what upstream answered.
CREATE TABLE faturas (
    id            TEXT NOT NULL PRIMARY KEY,
    documento     TEXT NOT NULL,
    contrato      TEXT,
    json          TEXT NOT NULL,
    atualizado_em TEXT NOT NULL
) STRICT;

CREATE INDEX faturas_documento_contrato ON faturas (documento, contrato);

-- When a list was last fetched from upstream, so that "never fetched" differs from "fetched and empty".
-- `lista` names the list ('faturas', 'contratos'); `escopo` is '' for the unfiltered list or the contrato id the
-- faturas list was filtered by.
CREATE TABLE consultas (
    documento     TEXT NOT NULL,
    lista         TEXT NOT NULL,
    escopo        TEXT NOT NULL,
    atualizado_em TEXT NOT NULL,
    PRIMARY KEY (documento, lista, escopo)
) STRICT, WITHOUT ROWID;

-- Contracts (installations) of a customer.
CREATE TABLE contratos (
    documento     TEXT NOT NULL,
    id            TEXT NOT NULL,
    json          TEXT NOT NULL,
    atualizado_em TEXT NOT NULL,
    PRIMARY KEY (documento, id)
) STRICT;

-- 0007: the customer's read-only lists (services, notas fiscais, contacts, extrato, quitação), and the installation's
-- own values.
--
-- Shipped migrations are never edited: change the schema with a new numbered file.
--
-- `listas` is one cache for every such list: one row per customer and list, the list kept whole. `lista` names it
-- (the fixed names of domain::listas::Lista: 'servicos', 'notas_fiscais', 'contatos', 'extratos', 'quitacoes');
-- `json` is the JSON array of borda's normalised model (domain::listas, domain::contato) in format `formato`
-- (FORMATO_CACHE, as in the other cache tables; 0 is no format borda writes); `atualizado_em` is when the ERP gave
-- it (RFC 3339 UTC with nanoseconds). A row means "fetched" (its array may be empty); no row, "never fetched". It holds
-- personal data (the contacts in clear): the retention purge deletes rows older than `store.retencao`.
CREATE TABLE listas (
    documento     TEXT NOT NULL,                                   -- normalised CPF/CNPJ
    lista         TEXT NOT NULL,
    json          TEXT NOT NULL,
    atualizado_em TEXT NOT NULL,
    formato       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (documento, lista)
) STRICT;

-- `instalacao` holds values of this installation that are nobody's data. `sal_contatos` is the secret salt of the
-- contacts' opaque ids (domain::contato): 32 bytes drawn once, here, from SQLite's CSPRNG (seeded by the OS). A new
-- database draws a new salt, so ids a kiosk kept from before name nothing and it lists the contacts again. Never
-- purged.
CREATE TABLE instalacao (
    chave TEXT NOT NULL PRIMARY KEY,
    valor BLOB NOT NULL
) STRICT;

INSERT INTO instalacao (chave, valor) VALUES ('sal_contatos', randomblob(32));

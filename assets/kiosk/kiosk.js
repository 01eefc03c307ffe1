// The reference kiosk page: the whole totem flow through borda's localhost API, with nothing but the browser.
// Served by borda at / when [api] kiosk = true. Plain JavaScript, no build step, no external resource.
"use strict";

const $ = (id) => document.getElementById(id);
let config = { simular_pagamento: false, token: null };
let documento = "";
let faturaAtual = null;
let baixaAtual = null;

// Messages for the customer, by the problem+json `code` borda answers with (the `detail` is used otherwise).
const MENSAGENS = {
  documento_invalido: "CPF ou CNPJ inválido. Confira os números digitados.",
  upstream_indisponivel: "Sem conexão com o provedor e nenhum dado guardado para este documento. Tente mais tarde.",
  nao_encontrado: "Não encontramos cadastro para este documento.",
  consultas_demais: "Muitas consultas seguidas. Aguarde um minuto e tente de novo.",
  fatura_ja_paga: "Esta fatura já foi paga.",
  impressora_indisponivel: "A impressora não está disponível. Procure um atendente.",
  nao_suportado_pelo_erp: "Esta função não está disponível no sistema do provedor.",
};
const MOTIVOS_IMPRESSORA = {
  sem_papel: "A impressora está sem papel. Procure um atendente.",
  tampa_aberta: "A tampa da impressora está aberta. Procure um atendente.",
  offline: "A impressora não responde. Procure um atendente.",
};

class ErroApi extends Error {
  constructor(status, problema) {
    super((problema && (MENSAGENS[problema.code] || problema.detail)) || `Erro ${status}`);
    this.code = problema && problema.code;
  }
}

async function api(metodo, caminho, corpo, cabecalhos = {}) {
  const headers = { Accept: "application/json", ...cabecalhos };
  if (config.token) headers.Authorization = `Bearer ${config.token}`;
  if (corpo !== undefined) headers["Content-Type"] = "application/json";
  const resposta = await fetch(caminho, {
    method: metodo,
    headers,
    body: corpo === undefined ? undefined : JSON.stringify(corpo),
    cache: "no-store",
  });
  const texto = await resposta.text();
  const json = texto ? JSON.parse(texto) : null;
  if (!resposta.ok) throw new ErroApi(resposta.status, json);
  return json;
}

function mostrarErro(erro) {
  const caixa = $("erro");
  caixa.textContent = erro ? erro.message : "";
  caixa.hidden = !erro;
}

function mostrarTela(id) {
  for (const tela of document.querySelectorAll(".tela")) tela.hidden = tela.id !== id;
  mostrarErro(null);
  window.scrollTo(0, 0);
}

// --- documento: validated as it is typed -------------------------------------------------------------------------

const somenteDigitos = (texto) => texto.replace(/[^0-9A-Za-z]/g, "").toUpperCase();

function cpfValido(d) {
  if (!/^\d{11}$/.test(d) || /^(\d)\1{10}$/.test(d)) return false;
  const dv = (n) => {
    let soma = 0;
    for (let i = 0; i < n; i++) soma += Number(d[i]) * (n + 1 - i);
    const resto = (soma * 10) % 11;
    return resto === 10 ? 0 : resto;
  };
  return dv(9) === Number(d[9]) && dv(10) === Number(d[10]);
}

// CNPJ, numeric or alphanumeric (since July 2026): each character counts as its ASCII code minus 48.
function cnpjValido(d) {
  if (!/^[0-9A-Z]{12}\d{2}$/.test(d) || /^(\d)\1{13}$/.test(d)) return false;
  const valor = (c) => c.charCodeAt(0) - 48;
  const dv = (n) => {
    const pesos = n === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let soma = 0;
    for (let i = 0; i < n; i++) soma += valor(d[i]) * pesos[i];
    const resto = soma % 11;
    return resto < 2 ? 0 : 11 - resto;
  };
  return dv(12) === Number(d[12]) && dv(13) === Number(d[13]);
}

function formatarDocumento(d) {
  if (d.length <= 11 && /^\d*$/.test(d)) {
    return d.replace(/^(\d{3})(\d)/, "$1.$2").replace(/^(\d{3})\.(\d{3})(\d)/, "$1.$2.$3")
      .replace(/\.(\d{3})(\d{1,2})$/, ".$1-$2");
  }
  return d.replace(/^(\w{2})(\w)/, "$1.$2").replace(/^(\w{2})\.(\w{3})(\w)/, "$1.$2.$3")
    .replace(/\.(\w{3})(\w)/, ".$1/$2").replace(/(\w{4})(\d{1,2})$/, "$1-$2");
}

function atualizarDocumento() {
  const d = somenteDigitos($("documento").value).slice(0, 14);
  $("documento").value = formatarDocumento(d);
  const estado = $("documento-estado");
  let valido = false;
  if (d.length === 11 && /^\d+$/.test(d)) {
    valido = cpfValido(d);
    estado.textContent = valido ? "CPF válido" : "CPF inválido: confira os números";
  } else if (d.length === 14) {
    valido = cnpjValido(d);
    estado.textContent = valido ? "CNPJ válido" : "CNPJ inválido: confira os caracteres";
  } else {
    estado.textContent = d.length ? "Continue digitando…" : "";
  }
  estado.className = "estado " + (valido ? "ok" : d.length >= 11 ? "ruim" : "");
  $("consultar").disabled = !valido;
  documento = valido ? d : "";
}

// --- faturas ------------------------------------------------------------------------------------------------------

// "1234.56" → "R$ 1.234,56", from the text (money is never a float).
function reais(texto) {
  const [inteiro, centavos = "00"] = String(texto).split(".");
  return "R$ " + inteiro.replace(/\B(?=(\d{3})+(?!\d))/g, ".") + "," + centavos.padEnd(2, "0");
}
const data = (iso) => (iso ? iso.split("-").reverse().join("/") : "—");
const hora = (instante) => new Date(instante).toLocaleTimeString("pt-BR", { hour: "2-digit", minute: "2-digit" });

function mostrarFrescor(resposta) {
  const cache = resposta.origem === "cache";
  $("aviso-offline").hidden = !cache;
  $("frescor").textContent = cache ? `Dados de ${hora(resposta.atualizado_em)}` : "";
}

async function consultar() {
  try {
    const resposta = await api("GET", `/v1/clientes/${documento}/faturas`);
    mostrarFrescor(resposta);
    const lista = $("faturas");
    lista.replaceChildren();
    const hoje = new Date().toISOString().slice(0, 10);
    for (const fatura of resposta.faturas) {
      const item = document.createElement("li");
      const botao = document.createElement("button");
      botao.type = "button";
      botao.className = "fatura";
      botao.dataset.id = fatura.id;
      const vencida = fatura.vencimento && fatura.vencimento < hoje;
      botao.innerHTML = "<span></span><strong></strong>";
      botao.firstChild.textContent = `Vence ${data(fatura.vencimento)}${vencida ? " (vencida)" : ""}`;
      if (vencida) botao.firstChild.className = "vencida";
      botao.lastChild.textContent = reais(fatura.valor_atual);
      botao.addEventListener("click", () => abrirFatura(fatura));
      item.append(botao);
      lista.append(item);
    }
    if (!resposta.faturas.length) {
      const item = document.createElement("li");
      item.textContent = "Nenhuma fatura em aberto. Obrigado!";
      lista.append(item);
    }
    mostrarTela("tela-faturas");
    await mostrarBloqueados();
  } catch (erro) {
    mostrarErro(erro);
  }
}

// The customer's blocked services, each with the "desbloqueio de confiança" button.
async function mostrarBloqueados() {
  const caixa = $("bloqueados");
  caixa.hidden = true;
  let servicos;
  try {
    const resposta = await api("GET", `/v1/clientes/${documento}/servicos?bloqueados=true`);
    servicos = Array.isArray(resposta) ? resposta : resposta.servicos || [];
  } catch {
    return; // An ERP without this operation simply has no button.
  }
  const lista = $("servicos");
  lista.replaceChildren();
  for (const servico of servicos) {
    const item = document.createElement("li");
    const botao = document.createElement("button");
    botao.type = "button";
    botao.className = "desbloquear";
    botao.textContent = `Desbloqueio de confiança: ${servico.nome || servico.id}`;
    botao.addEventListener("click", async () => {
      try {
        const r = await api("POST", `/v1/clientes/${documento}/desbloqueio`, { id_servico: servico.id });
        botao.textContent = `${servico.nome || servico.id}: ${r.status}`;
        botao.disabled = true;
      } catch (erro) {
        mostrarErro(erro);
      }
    });
    item.append(botao);
    lista.append(item);
  }
  caixa.hidden = servicos.length === 0;
}

// --- one fatura: barcode, linha digitável, PIX -------------------------------------------------------------------

function formatarLinha(l) {
  if (!l) return "";
  if (l.length === 47) {
    return `${l.slice(0, 5)}.${l.slice(5, 10)} ${l.slice(10, 15)}.${l.slice(15, 21)} ` +
      `${l.slice(21, 26)}.${l.slice(26, 32)} ${l[32]} ${l.slice(33)}`;
  }
  if (l.length === 48) return [0, 12, 24, 36].map((i) => `${l.slice(i, i + 11)}-${l[i + 11]}`).join(" ");
  return l;
}

function abrirFatura(fatura) {
  faturaAtual = fatura;
  baixaAtual = null;
  $("boleto-id").textContent = fatura.id;
  $("boleto-valor").textContent = reais(fatura.valor_atual);
  $("boleto-vencimento").textContent = data(fatura.vencimento);
  $("boleto-barras").hidden = !fatura.codigo_barras;
  if (fatura.codigo_barras) $("codigo-de-barras").src = `/v1/faturas/${encodeURIComponent(fatura.id)}/codigo-de-barras.svg`;
  $("linha-digitavel").textContent = formatarLinha(fatura.linha_digitavel);
  $("boleto-pix").hidden = !fatura.pix_code;
  if (fatura.pix_code) $("pix-qr").src = `/v1/faturas/${encodeURIComponent(fatura.id)}/pix.svg`;
  $("simular").hidden = !config.simular_pagamento;
  $("segunda-via").hidden = false;
  $("simular").disabled = false;
  $("baixa-estado").textContent = "";
  $("impressao-estado").textContent = "";
  $("imprimir-comprovante").hidden = true;
  $("preview").hidden = true;
  mostrarTela("tela-boleto");
}

async function copiarPix() {
  try {
    await navigator.clipboard.writeText(faturaAtual.pix_code);
    $("copiar-pix").textContent = "Copiado!";
  } catch {
    $("copiar-pix").textContent = "Não foi possível copiar";
  }
}

// --- demo: a PIX payment as a terminal would report it -----------------------------------------------------------

function e2eId() {
  const agora = new Date().toISOString().replace(/\D/g, "").slice(0, 12); // yyyyMMddHHmm, UTC
  const aleatorio = Array.from(crypto.getRandomValues(new Uint8Array(11)), (b) => "0123456789abcdefghijk"[b % 21])
    .join("");
  return `E12345678${agora}${aleatorio}`;
}

async function simularPagamento() {
  $("simular").disabled = true;
  try {
    const corpo = {
      forma: "pix",
      valor: faturaAtual.valor_atual,
      pago_em: new Date().toISOString(),
      transacao: { e2e_id: e2eId(), txid: `KIOSK${Date.now()}` },
    };
    const chave = crypto.randomUUID ? crypto.randomUUID() : `kiosk-${Date.now()}-${Math.random()}`;
    baixaAtual = await api("POST", `/v1/faturas/${encodeURIComponent(faturaAtual.id)}/baixas`, corpo,
      { "Idempotency-Key": chave });
    // Paid: the codes are no longer offered.
    for (const id of ["boleto-barras", "boleto-pix", "simular", "segunda-via"]) $(id).hidden = true;
    $("imprimir-comprovante").hidden = false;
    await acompanharBaixa();
  } catch (erro) {
    $("simular").disabled = false;
    mostrarErro(erro);
  }
}

async function acompanharBaixa() {
  const estado = $("baixa-estado");
  for (let i = 0; i < 120; i++) {
    if (baixaAtual.status === "sincronizada") {
      estado.textContent = "Pagamento registrado no provedor.";
      estado.className = "estado ok";
      return;
    }
    if (baixaAtual.status === "falhou") {
      estado.textContent = "O provedor recusou o pagamento. Procure um atendente.";
      estado.className = "estado ruim";
      return;
    }
    estado.textContent = "Pagamento recebido: enviando ao provedor…";
    estado.className = "estado";
    await new Promise((r) => setTimeout(r, 500));
    baixaAtual = await api("GET", `/v1/baixas/${encodeURIComponent(baixaAtual.id)}`);
  }
}

// --- printing ----------------------------------------------------------------------------------------------------

async function imprimir(pedido) {
  const estado = $("impressao-estado");
  estado.className = "estado";
  estado.textContent = "Imprimindo…";
  $("preview").hidden = true;
  try {
    let impressao = await api("POST", "/v1/impressoes", pedido);
    for (let i = 0; i < 60 && !["impressa", "falhou"].includes(impressao.status); i++) {
      if (impressao.motivo && MOTIVOS_IMPRESSORA[impressao.motivo]) {
        estado.textContent = MOTIVOS_IMPRESSORA[impressao.motivo];
        estado.className = "estado ruim";
      }
      await new Promise((r) => setTimeout(r, 500));
      impressao = await api("GET", `/v1/impressoes/${encodeURIComponent(impressao.id)}`);
    }
    if (impressao.status === "impressa") {
      estado.textContent = "Pronto! Retire seu comprovante.";
      estado.className = "estado ok";
    }
    const preview = $("preview");
    preview.src = `/v1/impressoes/${encodeURIComponent(impressao.id)}/preview.png`;
    preview.hidden = false;
    preview.scrollIntoView({ block: "start" });
  } catch (erro) {
    estado.textContent = "";
    mostrarErro(erro);
  }
}

// --- wiring ------------------------------------------------------------------------------------------------------

async function iniciar() {
  try {
    config = await (await fetch("/kiosk/config.json", { cache: "no-store" })).json();
  } catch {
    // Defaults: no token, no simulated payment.
  }
  $("documento").addEventListener("input", atualizarDocumento);
  $("documento").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && documento) consultar();
  });
  for (const tecla of document.querySelectorAll("[data-tecla]")) {
    tecla.addEventListener("click", () => {
      const campo = $("documento");
      const atual = somenteDigitos(campo.value);
      const t = tecla.dataset.tecla;
      campo.value = t === "limpar" ? "" : t === "apagar" ? atual.slice(0, -1) : atual + t;
      atualizarDocumento();
    });
  }
  for (const botao of document.querySelectorAll("[data-voltar]")) {
    botao.addEventListener("click", () => mostrarTela(botao.dataset.voltar));
  }
  $("consultar").addEventListener("click", consultar);
  $("copiar-pix").addEventListener("click", copiarPix);
  $("simular").addEventListener("click", simularPagamento);
  $("segunda-via").addEventListener("click", () => imprimir({ tipo: "boleto", fatura_id: faturaAtual.id }));
  $("imprimir-comprovante").addEventListener("click", () =>
    imprimir({ tipo: "comprovante_pix", fatura_id: faturaAtual.id, baixa_id: baixaAtual.id }));
  document.body.dataset.pronto = "sim";
}

document.addEventListener("DOMContentLoaded", iniciar);

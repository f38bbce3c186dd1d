import { createHash } from 'node:crypto';

/**
 * The one style sheet of every page (portal and console). Kept in code so the build copies nothing
 * extra; served with a content hash in its URL so phones cache it for good. Colours keep at least
 * 4.5:1 contrast (WCAG 2.2 AA) against their backgrounds; focus is always visible.
 */
export const APP_CSS = `
:root{--ink:#1b1f23;--muted:#4a525a;--bg:#f7f7f4;--card:#fff;--line:#d5d8dc;--brand:#1d4e77;--brand-ink:#fff;
--ok:#1e6b3a;--ok-bg:#e6f4ea;--warn:#7a4b00;--warn-bg:#fff4dc;--bad:#a1262b;--bad-bg:#fdecec;--focus:#b8590b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1.0625rem;line-height:1.55;color:var(--ink);background:var(--bg)}
a{color:var(--brand);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:.5rem;background:var(--card);padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem}
.site-header{background:var(--card);border-bottom:1px solid var(--line)}
.site-header .bar{max-width:60rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem 1.5rem;align-items:center;justify-content:space-between}
.brand{display:flex;align-items:center;gap:.6rem;font-weight:600;color:var(--ink);text-decoration:none}
.brand img{max-height:2.25rem;width:auto}
.site-nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.site-nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
.tools{display:flex;gap:1rem;align-items:center}
.tools form{margin:0}
main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 3rem}
main.wide{max-width:60rem}
h1{font-size:1.7rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin:2rem 0 .75rem}
h3{font-size:1.1rem;margin:1.25rem 0 .5rem}
p,ul,ol,dl{margin:0 0 1rem}
.lead{font-size:1.125rem;color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1.25rem;margin:0 0 1rem}
form.stack > * + *{margin-top:1rem}
label,legend{display:block;font-weight:600;margin-bottom:.3rem}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0}
.choice{display:flex;gap:.6rem;align-items:flex-start;padding:.35rem 0}
.choice input{margin-top:.35rem;width:1.15rem;height:1.15rem;flex:none}
.choice label{font-weight:400;margin:0}
.choice .hint{display:block}
.hint{color:var(--muted);font-size:.95rem;font-weight:400}
input[type=email],input[type=text],input[type=password],input[type=date],input[type=search],select,textarea{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #6b737b;border-radius:.35rem;background:#fff;color:var(--ink)}
textarea{min-height:7rem}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.65rem 1.2rem;border-radius:.35rem;border:2px solid var(--brand);background:var(--brand);color:var(--brand-ink);cursor:pointer;text-decoration:none;min-height:44px}
button.secondary,.button.secondary{background:var(--card);color:var(--brand)}
button.danger{background:var(--bad);border-color:var(--bad)}
button.link{background:none;border:none;color:var(--brand);text-decoration:underline;padding:0;min-height:0;font-weight:400}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
.notice{border-left:4px solid var(--brand);background:var(--card);padding:.75rem 1rem;margin:0 0 1rem}
.notice.ok{border-color:var(--ok);background:var(--ok-bg)}
.notice.warn{border-color:var(--warn);background:var(--warn-bg)}
.notice.bad{border-color:var(--bad);background:var(--bad-bg)}
.field-error{color:var(--bad);font-weight:600;margin:.25rem 0 0}
.badge{display:inline-block;padding:.1rem .55rem;border-radius:1rem;font-size:.9rem;font-weight:600;border:1px solid currentColor}
.badge.ok{color:var(--ok);background:var(--ok-bg)}
.badge.warn{color:var(--warn);background:var(--warn-bg)}
.badge.bad{color:var(--bad);background:var(--bad-bg)}
.badge.neutral{color:var(--muted);background:var(--card)}
dl.facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.4rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
table{width:100%;border-collapse:collapse;background:var(--card)}
th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600}
.table-wrap{overflow-x:auto}
blockquote{margin:.5rem 0 1rem;padding:.5rem 1rem;border-left:3px solid var(--line);color:var(--muted);background:var(--card)}
code.wrap{overflow-wrap:anywhere;word-break:break-all}
.pre-line{white-space:pre-line}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.site-footer{border-top:1px solid var(--line);color:var(--muted);font-size:.95rem}
.site-footer .bar{max-width:60rem;margin:0 auto;padding:1rem}
@media (max-width:30rem){h1{font-size:1.45rem}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}
`;

export const APP_CSS_VERSION = createHash('sha256').update(APP_CSS).digest('hex').slice(0, 12);
export const APP_CSS_PATH = `/web/static/app.${APP_CSS_VERSION}.css`;

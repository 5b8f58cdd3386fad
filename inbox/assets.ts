/**
 * The inbox's one stylesheet, served as a file so the CSP can forbid inline styles and scripts.
 * Plain and legible on an office desktop; commands are shown in a monospace block that wraps.
 */
export const stylesheet = `
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.6 "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", system-ui, sans-serif;
  color: #1f2329; background: #f5f6f7; }
header { background: #8b1a1a; color: #fff; padding: 0.6rem 1.5rem; display: flex; gap: 1.5rem;
  align-items: center; flex-wrap: wrap; }
header a, header button { color: #fff; }
header .app { font-weight: 600; font-size: 1.1rem; }
header nav { display: flex; gap: 1rem; flex: 1; }
header .me { opacity: 0.9; }
header form { display: inline; margin: 0; }
header button { background: none; border: 1px solid #ffffff88; border-radius: 4px; padding: 0.1rem 0.6rem;
  cursor: pointer; font: inherit; }
main { max-width: 1100px; margin: 1.5rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 6px;
  box-shadow: 0 1px 3px #0000001a; }
h1 { font-size: 1.4rem; margin-top: 0; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #e5e6eb; padding-bottom: 0.3rem; margin-top: 1.8rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid #e5e6eb; vertical-align: top; }
th { background: #f7f8fa; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.own td { color: #86909c; }
.badge { display: inline-block; font-size: 0.8rem; padding: 0 0.4rem; border-radius: 3px; background: #fff3e8;
  color: #b85c00; margin-left: 0.3rem; }
.note { color: #86909c; font-size: 0.9rem; }
.notice { padding: 0.7rem 1rem; border-radius: 4px; margin: 1rem 0; background: #e8f3ff; color: #0e42d2; }
.notice.ok { background: #e8ffea; color: #007a29; }
.notice.error { background: #ffece8; color: #c9242b; }
.notice.warn { background: #fff7e8; color: #b85c00; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1.2rem; margin: 0; }
dl.facts dt { color: #4e5969; }
dl.facts dd { margin: 0; }
code, pre { font-family: "JetBrains Mono", "Cascadia Mono", Consolas, monospace; }
pre.command { background: #1d2129; color: #f2f3f5; padding: 0.7rem 1rem; border-radius: 4px;
  white-space: pre-wrap; word-break: break-all; margin: 0.4rem 0 0; }
ol.actions > li { margin-bottom: 1.1rem; }
.decide { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; margin-top: 1rem; }
.decide form { border: 1px solid #e5e6eb; border-radius: 6px; padding: 1rem; }
.decide h3 { margin-top: 0; }
textarea { width: 100%; min-height: 5rem; font: inherit; padding: 0.4rem; }
input[type=text], input[type=password] { width: 100%; font: inherit; padding: 0.4rem; margin-bottom: 0.8rem; }
label { display: block; margin-bottom: 0.3rem; color: #4e5969; }
button.primary, button.danger { font: inherit; padding: 0.45rem 1.4rem; border: 0; border-radius: 4px;
  color: #fff; cursor: pointer; margin-top: 0.6rem; }
button.primary { background: #165dff; }
button.danger { background: #cb2634; }
main.login { max-width: 380px; }
textarea.json { font-family: "JetBrains Mono", "Cascadia Mono", Consolas, monospace; min-height: 14rem; }
fieldset { border: 0; padding: 0; margin: 0 0 0.8rem; }
#problems ul { margin: 0.3rem 0 0; }
.field { margin-bottom: 0.8rem; }
fieldset.field { border: 1px solid #e5e6eb; border-radius: 4px; padding: 0.5rem 0.8rem; }
fieldset.field > legend { color: #4e5969; padding: 0 0.3rem; }
.field input[type=text], .field input[type=date], .field select { margin-bottom: 0.2rem; max-width: 32rem; }
.field input[type=date], .field select { font: inherit; padding: 0.35rem; }
.check { display: inline-flex; gap: 0.4rem; align-items: baseline; margin-right: 1rem; }
.check label { display: inline; margin: 0; }
.field-error { color: #c9242b; margin: 0.2rem 0 0; font-size: 0.9rem; }
[aria-invalid=true] { border-color: #c9242b; outline: 1px solid #c9242b; }
button.secondary { font: inherit; padding: 0.2rem 0.8rem; border: 1px solid #c9cdd4; border-radius: 4px;
  background: #fff; cursor: pointer; }
`;

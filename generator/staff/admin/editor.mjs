// Starts the form editor: our file formats first, then Sveltia CMS with the configuration `fivestar cms` wrote
// (or, in the preview, the one `fivestar serve` builds afresh). In the preview it also shows what the last data
// check found, in Chinese, at the foot of the editor (the preview's banner shows the same on the site).
import { parse } from './vendor/yaml.mjs';
import { register } from './fivestar-format.mjs';

const say = (text) => {
  let bar = document.getElementById('fivestar-editor-status');
  if (!text) { bar?.remove(); return; }
  if (!bar) {
    bar = document.createElement('div');
    bar.id = 'fivestar-editor-status';
    bar.setAttribute('role', 'status');
    bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:10000;max-height:40vh;overflow:auto;'
      + 'padding:.6em 1em;background:#fff4e5;color:#4a2800;border-top:2px solid #b35c00;font:15px/1.6 sans-serif;'
      + 'white-space:pre-wrap';
    document.body.append(bar);
  }
  bar.textContent = text;
};

const start = async () => {
  const response = await fetch('config.yml', { cache: 'no-store' });
  if (!response.ok) {
    say('找不到表单编辑器的设置 config.yml。请在项目文件夹里运行 fivestar cms，或用 fivestar serve 打开编辑器。');
    return;
  }
  const config = parse(await response.text());
  register(window.CMS, config);
  window.CMS.init({ config: { ...config, load_config_file: false } });
};

// The preview answers /admin/status.json with what its last rebuild found; a published editor has no such file.
const watch = async () => {
  try {
    const response = await fetch('status.json', { cache: 'no-store' });
    if (!response.ok) return;
    const { problems } = await response.json();
    say(problems ? `保存的内容没有通过数据检查，网站预览没有更新：\n${problems}` : '');
  } catch {
    return;
  }
  window.setTimeout(watch, 2000);
};

start();
watch();

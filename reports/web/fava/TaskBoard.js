// sandao's page script, run by Fava on every page (the TaskBoard extension's JS module).
//
// * beside every task link (^T2025-007) in Fava's journal, a 任务页 link to that task's page;
// * the project's group of pages in the sidebar gets a heading and the page switcher's order;
// * in read-only mode the sidebar's 编辑器 and 导入 links are hidden.
// Only styles and small links are added: Fava's own elements are never moved or removed,
// so its Svelte frontend keeps working.

let mode = { read_only: false, pages: [], group: "", task_pattern: "T\\d{4}-\\d+" };

function extensionBase() {
  // Fava's URLs start with the ledger's slug: /<slug>/journal/… → /<slug>/extension/TaskBoard/
  const slug = window.location.pathname.split("/")[1] || "";
  return `/${slug}/extension/TaskBoard/`;
}

function addStyles() {
  if (document.getElementById("sd-page-script-style")) {
    return;
  }
  const rules = [
    "a.sd-task-page { margin-left: .25rem; font-size: .85em; padding: 0 .25rem;",
    " border: 1px solid currentColor; border-radius: 3px; white-space: nowrap; }",
  ];
  // The sidebar list holding the project's pages: named, ordered like the switcher.
  const group = `aside ul:has(> li a[href*="/extension/TaskBoard/"])`;
  if (mode.group) {
    rules.push(`${group} { display: flex; flex-direction: column; }`);
    rules.push(
      `${group}::before { content: ${JSON.stringify(mode.group)}; order: -1;` +
        " font-size: .8em; font-weight: bold; opacity: .7; padding: .25rem .5rem 0; }",
    );
  }
  mode.pages.forEach(([name], index) => {
    rules.push(`${group} > li:has(a[href*="/extension/${name}/"]) { order: ${index}; }`);
  });
  if (mode.read_only) {
    for (const page of ["editor", "import"]) {
      rules.push(`aside li:has(> a[href*="/${page}/"]) { display: none !important; }`);
      rules.push(`aside a[href*="/${page}/"] { display: none !important; }`);
    }
  }
  const style = document.createElement("style");
  style.id = "sd-page-script-style";
  style.textContent = rules.join("\n");
  document.head.appendChild(style);
}

function linkTasks() {
  const pattern = new RegExp(`^\\^(${mode.task_pattern})$`);
  const base = extensionBase();
  for (const span of document.querySelectorAll("span.link:not([data-sd-task])")) {
    const match = pattern.exec(span.textContent.trim());
    span.setAttribute("data-sd-task", match ? match[1] : "");
    if (!match) {
      continue;
    }
    const link = document.createElement("a");
    link.className = "sd-task-page";
    link.href = `${base}?task=${encodeURIComponent(match[1])}`;
    link.textContent = "任务页";
    link.title = `打开任务 ${match[1]} 的页面（声明、到位、支出、检查发现）`;
    span.after(link);
  }
}

export default {
  async init(ctx) {
    try {
      mode = { ...mode, ...(await ctx.api.get("mode")) };
    } catch (error) {
      console.error("sandao: page script could not read its mode", error);
    }
    addStyles();
  },
  onPageLoad() {
    linkTasks();
  },
};

#!/bin/sh
# Debian packages the test suite needs: CJK fonts for PDF reports, poppler to render PDF
# pages, Chromium and its driver for the Fava browser tests, ssh-keygen (openssh-client) to sign
# close certificates. Installed only when missing.
set -e
need=""
for pkg in fonts-noto-cjk poppler-utils chromium chromium-driver openssh-client; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
[ -z "$need" ] && exit 0
echo "make test: 安装 Debian 软件包:$need" >&2
echo "  fonts-noto-cjk — PDF 报表的中文字体；poppler-utils — 测试把 PDF 页面转成图片检查；" >&2
echo "  chromium、chromium-driver — Fava 页面和公开栏触摸屏的浏览器测试；openssh-client — 结账证书签名" >&2
if [ "$(id -u)" != 0 ]; then
  echo "缺少系统软件包:$need — 请以 root 运行: apt-get install -y$need" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $need >/dev/null

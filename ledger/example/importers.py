"""示例县的导入配置：Fava 的“导入”页和 beangulp 命令行共用。

* Fava：main.beancount 里的 ``custom "fava-option" "import-config" "importers.py"`` 指向本文件，
  ``"import-dirs" "exports"`` 指向财政局导出文件所在的文件夹；打开 Fava 的“导入”页即可逐个提取。
* beangulp 命令行（在本文件夹内）::

      python importers.py identify exports
      python importers.py extract -e main.beancount exports > 新分录.beancount

账本只读一次；预算指标导出总在引用它的支付文件之前提取（与 ``sandao import extract`` 相同的分录）。
"""

import os

from sandao.importers.beangulp_importers import make_importers

_HERE = os.path.dirname(os.path.abspath(__file__))

#: Fava reads ``CONFIG`` (the importers) from this file.
CONFIG = make_importers(os.path.join(_HERE, "import.toml"), os.path.join(_HERE, "main.beancount"))

if __name__ == "__main__":
    import beangulp

    beangulp.Ingest(CONFIG)()

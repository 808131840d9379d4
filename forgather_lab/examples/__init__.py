"""The example workspace shipped with forgather-lab (data only; see workspace/README.md).

Copied into ``<root_dir>/forgather-examples`` the first time a server starts
with that root_dir (once per root_dir, remembered in the state database) and
registered as the first search root (``SearchRoots.open``). ``tiny_llama`` is
the quickstart's project (docs/quickstart.md).
"""

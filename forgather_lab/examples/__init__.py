"""The example workspace shipped with forgather-lab (data only; see workspace/README.md).

On first start it is copied into ``<root_dir>/forgather-examples`` and registered
as the first search root (``ProjectsService.open``).
"""

"""The shared pool of a JupyterHub: the runtime as a Hub-managed service.

``forgather-lab hub-service`` (or ``python -m forgather_lab.hub``) runs a Jupyter
``ServerApp`` that loads only the forgather_lab extension, listens where the Hub
says (``JUPYTERHUB_SERVICE_URL`` / ``_PREFIX``) and authenticates every request
with the Hub (``identity.py``): a user's Hub token or the Hub's OAuth cookie,
with ``access:services!service=<name>``. Only the Forgather API is authorized;
the server's contents, kernels, terminals and the rest are refused.
"""

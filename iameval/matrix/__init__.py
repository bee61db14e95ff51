"""The access matrix of an organization: for every principal of every account, the actions it may
perform on one resource, and those it may only under conditions (issue 17; IAM-SEMANTICS §2-§4).

`_accounts` answers one account (decide sets, `analysis._decide_sets`); `_parquet` writes the
answers as a Parquet table; `_run` runs the accounts in this process or on Dask. numpy, pyarrow
and Dask are imported by this package alone (the `org` extra); Dask only when a cluster is used.
"""

from ._accounts import AccountMatrix, MatrixState, Selection, Target, account_matrix
from ._parquet import SCHEMA, MatrixWriter
from ._run import MatrixSummary, account_matrices, cluster, matrix, shards

__all__ = ["AccountMatrix", "MatrixState", "MatrixSummary", "MatrixWriter", "SCHEMA", "Selection", "Target",
           "account_matrices", "account_matrix", "cluster", "matrix", "shards"]

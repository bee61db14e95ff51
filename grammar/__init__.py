# The lark grammars, shipped inside the package as `iameval.grammar`.

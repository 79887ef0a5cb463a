from tests.matrix import Row, everyone

ROWS = [
    Row("reports:index", everyone()),
]

from tests.matrix import Row, everyone

ROWS = [
    Row("indicators:index", everyone()),
]

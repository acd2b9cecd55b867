"""Re-pickles a small cifar-10-batches-py folder with Python 3, at protocol 2 (bytes become
_codecs.encode(..., 'latin1')) and protocol 4 (bytes as BINBYTES), so CifarPickleReaderTest covers files that
were not written by Python 2. Run with Debian's python3 and python3-numpy:

    /usr/bin/python3 tools/reference/py3_pickle_fixtures.py SRC_DIR cifar-dataset/src/test/resources/py3-pickles

SRC_DIR is a folder written by CifarPickleWriter (23 train, 7 test synthetic images, seed 1). The output is
committed; the build never runs Python.
"""
import os, pickle, sys

src, out = sys.argv[1], sys.argv[2]
names = ['data_batch_%d' % i for i in range(1, 6)] + ['test_batch']
for protocol in (2, 4):
    d = os.path.join(out, 'protocol%d' % protocol)
    os.makedirs(d, exist_ok=True)
    for name in names:
        with open(os.path.join(src, name), 'rb') as f:
            batch = pickle.load(f, encoding='latin1')  # str keys, as torchvision sees them
        with open(os.path.join(d, name), 'wb') as f:
            pickle.dump(batch, f, protocol=protocol)

"""Writes the golden .npy files NpyTest reads. Run from this directory: python3 make_golden.py"""
import numpy as np
from numpy.lib import format as npf

np.save("f32_2x3.npy", np.array([[0, 0.5, -1], [1.5, 1e-3, 3e5]], dtype="<f4"))
np.save("f64_2x2x2.npy", np.array([0, 1, 2, 3, 4, 5, 6, 7.25], dtype="<f8").reshape(2, 2, 2))
with open("f32_vec5_v2.npy", "wb") as f:
    npf.write_array(f, np.arange(5, dtype="<f4"), version=(2, 0))
np.save("int64_3.npy", np.arange(3, dtype="<i8"))
np.save("f32_fortran.npy", np.asfortranarray(np.ones((2, 3), dtype="<f4")))

"""IATI 2.03 activity XML: the codes the tracker maps, reading activities, writing them."""

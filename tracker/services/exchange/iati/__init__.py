"""IATI activity XML (versions 2.01 to 2.03): the codes the tracker maps, reading activities
(one by one, then as a publisher's hierarchy), planning the projects they become, writing them."""

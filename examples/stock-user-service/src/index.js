// The source documents' User Service, as they show it. Two lines differ, each marked: the port
// and the address come from the environment (the documents listen on 3000 on every interface;
// nothing in this project binds beyond loopback unless told to).
const express = require('express');
const { validateJwtToken } = require('authServiceRemote/tokenValidator'); // Consuming the remote module

const app = express();
app.use(express.json());

// Middleware to protect routes using the federated token validator
app.use(async (req, res, next) => {
  const authHeader = req.headers.authorization;
  if (!authHeader) {
    return res.status(401).send('No authorization header');
  }
  const token = authHeader.split(' ')[1];
  if (!token) {
    return res.status(401).send('Token not provided');
  }
  // Use the federated function!
  const validationResult = await validateJwtToken(token);
  if (validationResult.isValid) {
    req.user = validationResult.user; // Attach user info to request
    next();
  } else {
    res.status(403).send(`Invalid token: ${validationResult.error}`);
  }
});

app.get('/profile', (req, res) => {
  res.json({ message: `Welcome ${req.user.username}! This is your profile.`, user: req.user });
});

const PORT = process.env.PORT || 3000; // modmesh: from the environment
app.listen(PORT, process.env.HOST || '127.0.0.1', () => {
  // modmesh: loopback unless told
  console.log(`User Service running on port ${PORT}`);
});
